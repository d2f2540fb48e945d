ALTER TABLE `objectives` ADD `budget` text;--> statement-breakpoint
ALTER TABLE `objectives` ADD `budget_level` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `sessions` ADD `budget` text;--> statement-breakpoint
ALTER TABLE `sessions` ADD `budget_level` integer DEFAULT 0 NOT NULL;
