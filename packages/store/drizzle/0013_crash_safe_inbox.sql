ALTER TABLE `pending_input` ADD `handed` integer DEFAULT 0 NOT NULL;
--> statement-breakpoint
CREATE TABLE `manager_reports` (
	`worker_id` text PRIMARY KEY NOT NULL,
	`at` integer NOT NULL
);
--> statement-breakpoint
INSERT INTO `manager_reports` (`worker_id`, `at`)
	SELECT `id`, `updated_at` FROM `sessions`
	WHERE `role` = 'worker' AND `status` IN ('completed', 'failed', 'canceled');
