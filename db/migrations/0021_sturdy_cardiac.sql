CREATE TABLE "account_standing" (
	"account_id" uuid PRIMARY KEY NOT NULL,
	"seq" integer NOT NULL,
	"local_date" date NOT NULL,
	"day" integer,
	"stage" text NOT NULL,
	"strategy_id" text,
	"strategy_version" integer,
	"arm" text,
	"agent_id" text,
	"country" text,
	"close_seq" integer,
	"closed_status" text
);
