CREATE TABLE "debtor_credits" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"debtor_id" uuid NOT NULL,
	"currency" text NOT NULL,
	"amount_minor" bigint NOT NULL,
	"source" text NOT NULL,
	"source_ref" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "debtor_credits_source" UNIQUE("source","source_ref")
);
--> statement-breakpoint
CREATE TABLE "statement_applications" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"line_id" uuid NOT NULL,
	"debtor_id" uuid NOT NULL,
	"account_id" uuid,
	"amount_minor" bigint NOT NULL,
	"currency" text NOT NULL,
	"invoice_ids" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"automatic" boolean DEFAULT false NOT NULL,
	"score" double precision,
	"reasons" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "statement_applications_line_account" UNIQUE("line_id","account_id")
);
--> statement-breakpoint
CREATE TABLE "statement_job_errors" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"job_id" uuid NOT NULL,
	"line" integer NOT NULL,
	"errors" jsonb NOT NULL,
	"raw" jsonb
);
--> statement-breakpoint
CREATE TABLE "statement_jobs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"status" text DEFAULT 'queued' NOT NULL,
	"filename" text,
	"format" text,
	"total_lines" integer,
	"processed_lines" integer DEFAULT 0 NOT NULL,
	"new_lines" integer DEFAULT 0 NOT NULL,
	"repeated_lines" integer DEFAULT 0 NOT NULL,
	"failed_lines" integer DEFAULT 0 NOT NULL,
	"applied_lines" integer DEFAULT 0 NOT NULL,
	"queued_lines" integer DEFAULT 0 NOT NULL,
	"error" jsonb,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "statement_lines" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"key" text NOT NULL,
	"job_id" uuid,
	"bank" text NOT NULL,
	"account" text NOT NULL,
	"currency" text NOT NULL,
	"booking_date" date NOT NULL,
	"value_date" date,
	"amount_minor" bigint NOT NULL,
	"reversal" boolean DEFAULT false NOT NULL,
	"bank_reference" text,
	"end_to_end_id" text,
	"remittance" text,
	"counterparty_name" text,
	"counterparty_tax_id" text,
	"counterparty_account" text,
	"status" text DEFAULT 'unmatched' NOT NULL,
	"queue_reason" text,
	"suggestions" jsonb,
	"reverses_line_id" uuid,
	"ignored_reason" text,
	"decided_by" uuid,
	"decided_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "statement_lines_key_unique" UNIQUE("key")
);
--> statement-breakpoint
ALTER TABLE "debtor_credits" ADD CONSTRAINT "debtor_credits_debtor_id_debtors_id_fk" FOREIGN KEY ("debtor_id") REFERENCES "public"."debtors"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "statement_applications" ADD CONSTRAINT "statement_applications_line_id_statement_lines_id_fk" FOREIGN KEY ("line_id") REFERENCES "public"."statement_lines"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "statement_applications" ADD CONSTRAINT "statement_applications_debtor_id_debtors_id_fk" FOREIGN KEY ("debtor_id") REFERENCES "public"."debtors"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "statement_applications" ADD CONSTRAINT "statement_applications_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "statement_job_errors" ADD CONSTRAINT "statement_job_errors_job_id_statement_jobs_id_fk" FOREIGN KEY ("job_id") REFERENCES "public"."statement_jobs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "statement_lines" ADD CONSTRAINT "statement_lines_job_id_statement_jobs_id_fk" FOREIGN KEY ("job_id") REFERENCES "public"."statement_jobs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "debtor_credits_debtor" ON "debtor_credits" USING btree ("debtor_id","currency");--> statement-breakpoint
CREATE INDEX "statement_applications_account" ON "statement_applications" USING btree ("account_id");--> statement-breakpoint
CREATE INDEX "statement_job_errors_job_line" ON "statement_job_errors" USING btree ("job_id","line");--> statement-breakpoint
CREATE INDEX "statement_lines_queue" ON "statement_lines" USING btree ("booking_date","id") WHERE "statement_lines"."status" = 'unmatched';--> statement-breakpoint
CREATE INDEX "statement_lines_job" ON "statement_lines" USING btree ("job_id");