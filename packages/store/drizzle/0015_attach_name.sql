-- The terminal session a live run can be re-attached by, stored instead of rebuilt from the session id.
ALTER TABLE `sessions` ADD `attach_name` text;--> statement-breakpoint
UPDATE `sessions` SET `attach_name` = 'orcha-' || `id` WHERE `attach_command` IS NOT NULL;
