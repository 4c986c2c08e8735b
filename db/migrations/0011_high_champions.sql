CREATE TABLE "backtest_jobs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"status" text DEFAULT 'queued' NOT NULL,
	"strategy_id" text NOT NULL,
	"strategy_version" integer NOT NULL,
	"from_date" date NOT NULL,
	"to_date" date NOT NULL,
	"sample" integer,
	"collected_under" text,
	"total_accounts" integer,
	"done_accounts" integer DEFAULT 0 NOT NULL,
	"result" jsonb,
	"error" jsonb,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone
);
