DROP INDEX "workflow_outbox_pending";--> statement-breakpoint
ALTER TABLE "workflow_outbox" ADD COLUMN "task_queue" text DEFAULT 'collections' NOT NULL;--> statement-breakpoint
CREATE INDEX "workflow_outbox_pending" ON "workflow_outbox" USING btree ("task_queue","next_attempt_at") WHERE "workflow_outbox"."dispatched_at" is null;