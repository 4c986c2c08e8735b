CREATE TABLE "transfer_references" (
	"reference" text PRIMARY KEY NOT NULL,
	"debtor_id" uuid NOT NULL,
	"currency" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "transfer_references" ADD CONSTRAINT "transfer_references_debtor_id_debtors_id_fk" FOREIGN KEY ("debtor_id") REFERENCES "public"."debtors"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "transfer_references_debtor_currency" ON "transfer_references" USING btree ("debtor_id","currency");