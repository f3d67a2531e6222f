-- GetEvent / ListEvents (SPEC §2.2, added 2026-11-30).
--
-- warnings: the warnings an event was accepted with (unknown_subscription, unknown_metric_code,
--   invalid_aggregation_property), stored with it so that GetEvent and ListEvents return them. Rows
--   stored before this migration have none.
ALTER TABLE events ADD COLUMN IF NOT EXISTS warnings Array(String) DEFAULT [] AFTER created_at;

-- events_by_created: ListEvents lists newest created_at first, but the table is sorted by
--   (organization_id, external_subscription_id, code, timestamp) for usage queries. This projection
--   keeps, in each part, the pointer to every event (code, timestamp, lago_id: the table's sorting
--   key plus its id) sorted by (organization_id, external_subscription_id, created_at, lago_id), so
--   a page of one subscription's events reads its newest pointers in order and stops at the page
--   size (read in order, LIMIT), then reads those events by primary key: the cost grows with the
--   page, not the history. It stores ~5 small columns per row, not a second copy of the events.
ALTER TABLE events ADD PROJECTION IF NOT EXISTS events_by_created
(
    SELECT organization_id, external_subscription_id, created_at, lago_id, code, timestamp
    ORDER BY organization_id, external_subscription_id, created_at, lago_id
);

-- Parts written before this migration get the projection too (a mutation; synchronous here).
ALTER TABLE events MATERIALIZE PROJECTION events_by_created SETTINGS mutations_sync = 1;
