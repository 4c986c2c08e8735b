ALTER TABLE "whatsapp_numbers" ADD COLUMN "pairing_requested_phone" text;--> statement-breakpoint
ALTER TABLE "whatsapp_numbers" ADD COLUMN "pairing_requested_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "whatsapp_numbers" ADD COLUMN "pairing_error" text;