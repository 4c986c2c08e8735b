ALTER TABLE "payments" ADD COLUMN "moved_from_account_id" uuid;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "credited_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "payments" ADD CONSTRAINT "payments_moved_from_account_id_accounts_id_fk" FOREIGN KEY ("moved_from_account_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;