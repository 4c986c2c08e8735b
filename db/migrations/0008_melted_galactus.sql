CREATE TABLE "account_ledger" (
	"account_id" uuid NOT NULL,
	"seq" integer NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"local_date" date NOT NULL,
	"type" text NOT NULL,
	"stage" text NOT NULL,
	"day" integer,
	"strategy_id" text,
	"strategy_version" integer,
	"arm" text,
	"channel" text,
	"agent_id" text,
	"country" text,
	"currency" text NOT NULL,
	"amount_minor" bigint,
	"reason" text,
	"entry" jsonb NOT NULL,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "account_ledger_account_id_seq_pk" PRIMARY KEY("account_id","seq")
);
--> statement-breakpoint
ALTER TABLE "account_ledger" ADD CONSTRAINT "account_ledger_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "account_ledger_date_type" ON "account_ledger" USING btree ("local_date","type");--> statement-breakpoint
CREATE INDEX "account_ledger_strategy_date" ON "account_ledger" USING btree ("strategy_id","local_date");