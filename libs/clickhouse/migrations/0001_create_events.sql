-- The event log (SPEC §1): append-only, one row per accepted event.
--
-- ORDER BY (organization_id, external_subscription_id, code, timestamp): every usage query selects
-- one organization, one subscription, one metric code and a time range, so it reads only the
-- granules of that subscription and window, whatever the size of the table. The dedupe lookup
-- (organization_id, external_subscription_id, transaction_id) uses the same prefix.
-- PARTITION BY month keeps parts small and lets old months be moved or dropped whole.
--
-- properties: the properties as sent (canonical JSON), to answer a duplicate with the original.
-- property_texts: each top-level property as text (numbers as canonical decimals), which is what
--   filters, grouping and the aggregation values read (SPEC §3): a map lookup, no JSON parsing.
-- precise_total_amount_cents: Decimal(76, 20), like every value the queries cast (see
--   libs/clickhouse/src/decimals.ts for the limits).
-- created_at: acceptance time in microseconds, strictly increasing within an ingestion process;
--   it orders ties ("ingested last") and picks the first of two rows with one key.
--
-- fsync after every insert: an acknowledged event survives a power loss, not only a crash (rule 4).
CREATE TABLE IF NOT EXISTS events
(
    organization_id LowCardinality(String),
    external_subscription_id String,
    code LowCardinality(String),
    timestamp DateTime64(3, 'UTC'),
    transaction_id String,
    lago_id UUID,
    external_customer_id String,
    lago_subscription_id String,
    lago_customer_id String,
    properties String CODEC(ZSTD(1)),
    property_texts Map(String, String),
    precise_total_amount_cents Nullable(Decimal(76, 20)),
    created_at DateTime64(6, 'UTC')
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(timestamp)
ORDER BY (organization_id, external_subscription_id, code, timestamp)
SETTINGS fsync_after_insert = 1, fsync_part_directory = 1;
