ALTER TABLE `targets` ADD `health` text;
