CREATE TABLE "segmentations" (
	"version" integer PRIMARY KEY NOT NULL,
	"rules" jsonb NOT NULL,
	"published_by" uuid,
	"published_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "strategy_drafts" (
	"strategy_id" text PRIMARY KEY NOT NULL,
	"definition" jsonb NOT NULL,
	"updated_by" uuid,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "strategy_versions" (
	"strategy_id" text NOT NULL,
	"version" integer NOT NULL,
	"definition" jsonb NOT NULL,
	"published_by" uuid,
	"published_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "strategy_versions_strategy_id_version_pk" PRIMARY KEY("strategy_id","version")
);
--> statement-breakpoint
CREATE TABLE "import_job_errors" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"job_id" uuid NOT NULL,
	"line" integer NOT NULL,
	"errors" jsonb NOT NULL,
	"raw" jsonb
);
--> statement-breakpoint
CREATE TABLE "import_jobs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"status" text DEFAULT 'queued' NOT NULL,
	"filename" text,
	"content_type" text,
	"total_lines" integer,
	"processed_lines" integer DEFAULT 0 NOT NULL,
	"succeeded_lines" integer DEFAULT 0 NOT NULL,
	"failed_lines" integer DEFAULT 0 NOT NULL,
	"error" jsonb,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "agent_tasks" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"idempotency_key" text NOT NULL,
	"account_id" uuid NOT NULL,
	"channel" text NOT NULL,
	"priority" text DEFAULT 'normal' NOT NULL,
	"rank" integer DEFAULT 0 NOT NULL,
	"due_at" timestamp with time zone NOT NULL,
	"assigned_agent_id" text,
	"status" text DEFAULT 'open' NOT NULL,
	"outcome" text,
	"note" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"completed_at" timestamp with time zone,
	CONSTRAINT "agent_tasks_idempotency_key_unique" UNIQUE("idempotency_key")
);
--> statement-breakpoint
CREATE TABLE "contact_decisions" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"debtor_id" uuid NOT NULL,
	"account_id" uuid NOT NULL,
	"attempt_key" text NOT NULL,
	"channel" text NOT NULL,
	"decision" text NOT NULL,
	"rule" text,
	"pack_version" text,
	"decided_at" timestamp with time zone NOT NULL,
	"deferred_until" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "debtor_channel_status" (
	"debtor_id" uuid NOT NULL,
	"channel" text NOT NULL,
	"status" text NOT NULL,
	"reason" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "debtor_channel_status_debtor_id_channel_pk" PRIMARY KEY("debtor_id","channel")
);
--> statement-breakpoint
CREATE TABLE "webhook_deliveries" (
	"provider" text NOT NULL,
	"delivery_id" text NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "webhook_deliveries_provider_delivery_id_pk" PRIMARY KEY("provider","delivery_id")
);
--> statement-breakpoint
CREATE TABLE "whatsapp_auth_keys" (
	"number_id" text NOT NULL,
	"key_type" text NOT NULL,
	"key_id" text NOT NULL,
	"value" jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "whatsapp_auth_keys_number_id_key_type_key_id_pk" PRIMARY KEY("number_id","key_type","key_id")
);
--> statement-breakpoint
CREATE TABLE "whatsapp_numbers" (
	"id" text PRIMARY KEY NOT NULL,
	"phone" text,
	"status" text DEFAULT 'unpaired' NOT NULL,
	"pairing_code" text,
	"qr" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "outbound_messages" ADD COLUMN "delivery_status" text;--> statement-breakpoint
ALTER TABLE "outbound_messages" ADD COLUMN "delivery_updated_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "import_job_errors" ADD CONSTRAINT "import_job_errors_job_id_import_jobs_id_fk" FOREIGN KEY ("job_id") REFERENCES "public"."import_jobs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "agent_tasks" ADD CONSTRAINT "agent_tasks_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contact_decisions" ADD CONSTRAINT "contact_decisions_debtor_id_debtors_id_fk" FOREIGN KEY ("debtor_id") REFERENCES "public"."debtors"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contact_decisions" ADD CONSTRAINT "contact_decisions_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "debtor_channel_status" ADD CONSTRAINT "debtor_channel_status_debtor_id_debtors_id_fk" FOREIGN KEY ("debtor_id") REFERENCES "public"."debtors"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "whatsapp_auth_keys" ADD CONSTRAINT "whatsapp_auth_keys_number_id_whatsapp_numbers_id_fk" FOREIGN KEY ("number_id") REFERENCES "public"."whatsapp_numbers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "import_job_errors_job_line" ON "import_job_errors" USING btree ("job_id","line");--> statement-breakpoint
CREATE INDEX "agent_tasks_queue" ON "agent_tasks" USING btree ("status","assigned_agent_id","rank","due_at");--> statement-breakpoint
CREATE INDEX "contact_decisions_debtor_time" ON "contact_decisions" USING btree ("debtor_id","decided_at");