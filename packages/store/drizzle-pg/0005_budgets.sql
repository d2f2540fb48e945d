ALTER TABLE "objectives" ADD COLUMN "budget" text;--> statement-breakpoint
ALTER TABLE "objectives" ADD COLUMN "budget_level" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "sessions" ADD COLUMN "budget" text;--> statement-breakpoint
ALTER TABLE "sessions" ADD COLUMN "budget_level" bigint DEFAULT 0 NOT NULL;