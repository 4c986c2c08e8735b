CREATE TABLE "audit_log" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"request_id" text NOT NULL,
	"key_id" uuid,
	"role" text,
	"user_id" uuid,
	"method" text NOT NULL,
	"route" text NOT NULL,
	"target" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"account_id" uuid,
	"body" jsonb,
	"status_code" integer NOT NULL,
	"before" jsonb,
	"after" jsonb
);
--> statement-breakpoint
CREATE INDEX "audit_log_at_idx" ON "audit_log" USING btree ("at","id");--> statement-breakpoint
CREATE INDEX "audit_log_key_idx" ON "audit_log" USING btree ("key_id","at");--> statement-breakpoint
CREATE INDEX "audit_log_account_idx" ON "audit_log" USING btree ("account_id","at");--> statement-breakpoint
CREATE INDEX "audit_log_route_idx" ON "audit_log" USING btree ("route","at");