CREATE TABLE "kpi_account_days" (
	"local_date" date NOT NULL,
	"currency" text NOT NULL,
	"strategy_id" text,
	"strategy_version" integer,
	"arm" text,
	"stage" text NOT NULL,
	"channel" text,
	"agent_id" text,
	"country" text,
	"account_id" uuid NOT NULL,
	"placed_minor" bigint,
	"paid_minor" bigint,
	CONSTRAINT "kpi_account_days_key" UNIQUE NULLS NOT DISTINCT("local_date","currency","strategy_id","strategy_version","arm","stage","channel","agent_id","country","account_id")
);
--> statement-breakpoint
CREATE TABLE "kpi_account_months" (
	"month" date NOT NULL,
	"currency" text NOT NULL,
	"strategy_id" text,
	"strategy_version" integer,
	"arm" text,
	"country" text,
	"account_id" uuid NOT NULL,
	"days" integer NOT NULL,
	CONSTRAINT "kpi_account_months_key" UNIQUE NULLS NOT DISTINCT("month","currency","strategy_id","strategy_version","arm","country","account_id")
);
--> statement-breakpoint
CREATE TABLE "kpi_daily" (
	"local_date" date NOT NULL,
	"currency" text NOT NULL,
	"strategy_id" text,
	"strategy_version" integer,
	"arm" text,
	"stage" text NOT NULL,
	"channel" text,
	"agent_id" text,
	"country" text,
	"type" text NOT NULL,
	"sub" text,
	"entries" integer NOT NULL,
	"amount_minor" bigint NOT NULL,
	CONSTRAINT "kpi_daily_key" UNIQUE NULLS NOT DISTINCT("local_date","currency","strategy_id","strategy_version","arm","stage","channel","agent_id","country","type","sub")
);
--> statement-breakpoint
CREATE INDEX "kpi_account_days_money" ON "kpi_account_days" USING btree ("local_date") WHERE "kpi_account_days"."placed_minor" is not null or "kpi_account_days"."paid_minor" is not null;