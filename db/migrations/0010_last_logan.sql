DROP INDEX "workflow_outbox_pending";--> statement-breakpoint
ALTER TABLE "workflow_outbox" ADD COLUMN "failed_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "workflow_outbox_failed" ON "workflow_outbox" USING btree ("task_queue","workflow_id") WHERE "workflow_outbox"."dispatched_at" is null and "workflow_outbox"."failed_at" is not null;--> statement-breakpoint
CREATE INDEX "workflow_outbox_pending" ON "workflow_outbox" USING btree ("task_queue","next_attempt_at") WHERE "workflow_outbox"."dispatched_at" is null and "workflow_outbox"."failed_at" is null;