CREATE TABLE `session_status_counts` (
	`status` text PRIMARY KEY NOT NULL,
	`n` integer NOT NULL
) WITHOUT ROWID;
--> statement-breakpoint
INSERT INTO `session_status_counts` (`status`, `n`) SELECT `status`, COUNT(*) FROM `sessions` GROUP BY `status`;
--> statement-breakpoint
CREATE TRIGGER `sessions_count_insert` AFTER INSERT ON `sessions` BEGIN
	INSERT OR IGNORE INTO `session_status_counts` (`status`, `n`) VALUES (NEW.`status`, 0);
	UPDATE `session_status_counts` SET `n` = `n` + 1 WHERE `status` = NEW.`status`;
END;
--> statement-breakpoint
CREATE TRIGGER `sessions_count_update` AFTER UPDATE OF `status` ON `sessions` WHEN OLD.`status` != NEW.`status` BEGIN
	UPDATE `session_status_counts` SET `n` = `n` - 1 WHERE `status` = OLD.`status`;
	INSERT OR IGNORE INTO `session_status_counts` (`status`, `n`) VALUES (NEW.`status`, 0);
	UPDATE `session_status_counts` SET `n` = `n` + 1 WHERE `status` = NEW.`status`;
END;
--> statement-breakpoint
CREATE TRIGGER `sessions_count_delete` AFTER DELETE ON `sessions` BEGIN
	UPDATE `session_status_counts` SET `n` = `n` - 1 WHERE `status` = OLD.`status`;
END;
--> statement-breakpoint
CREATE INDEX `objectives_history` ON `objectives` (`updated_at`, `id`) WHERE `status` != 'active';
--> statement-breakpoint
CREATE INDEX `pull_requests_state` ON `pull_requests` (`state`);
