-- Exact partial aggregates per hour (issue 12 part 2), written by the same INSERT as the events
-- through the materialized view below, so that a usage question reads hours, not events
-- (services/aggregation/src/rollup/, README "Fast usage").
--
-- The view knows nothing of metric definitions (they live in PostgreSQL), so it keeps, per
-- (organization, subscription, code, hour):
--   scope 0, field '':  every event: events = count, amount = Σ precise_total_amount_cents;
--   scope 1, field = a property key, for the events whose text of that key is numeric by the rule
--     of the usage queries (services/aggregation/src/queries/selection.ts IS_NUMERIC, the limits of
--     libs/clickhouse/src/decimals.ts; rollup.spec.ts checks this file holds the same expression):
--     events = how many, amount = their Σ precise_total_amount_cents, sum_v = Σ v, max_v = max v,
--     sum_v_offset = Σ v × (ms of the event since the start of its hour), latest = argMax(v) by
--     (timestamp, created_at) as selection.ts EVENT_ORDER.
-- Every value is Decimal(76, 20) like the raw path's v, and sums of decimals are exact, so an hour's
-- numbers equal what the raw path would compute over that hour's rows. A late event lands in its own
-- hour's row by the same insert; editing a metric changes only which (code, field) rows a question
-- reads, never the rows themselves.
--
-- Engine: AggregatingMergeTree, one row per key after merges; until then a key may have several
-- rows (one per insert block), so readers always aggregate (sum, max, argMaxMerge).
-- ORDER BY puts (scope, field) before hour: a question reads one field's contiguous range of hours.
-- fsync like `events`: an acknowledged event's aggregate survives a power loss as the event does.
--
-- Assumes each (organization, subscription, transaction_id) is stored once (README "Exactly once"):
-- unlike the raw path, an aggregate cannot drop a second row of a key.
--
-- Re-runnable after a crash part way: it starts over from `events`, the source of truth. Like 0003,
-- it runs with ingestion stopped (at start-up, `npm run migrate`).
DROP VIEW IF EXISTS usage_hourly_writer;

DROP TABLE IF EXISTS usage_hourly;

CREATE TABLE usage_hourly
(
    organization_id LowCardinality(String),
    external_subscription_id String,
    code LowCardinality(String),
    scope UInt8,
    field String,
    hour DateTime64(3, 'UTC'),
    events SimpleAggregateFunction(sum, UInt64),
    amount SimpleAggregateFunction(sum, Decimal(76, 20)),
    sum_v SimpleAggregateFunction(sum, Decimal(76, 20)),
    max_v SimpleAggregateFunction(max, Decimal(76, 20)),
    sum_v_offset SimpleAggregateFunction(sum, Decimal(76, 20)),
    latest AggregateFunction(argMax, Decimal(76, 20), Int128)
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(hour)
ORDER BY (organization_id, external_subscription_id, code, scope, field, hour)
SETTINGS fsync_after_insert = 1, fsync_part_directory = 1;

CREATE MATERIALIZED VIEW IF NOT EXISTS usage_hourly_writer TO usage_hourly AS
SELECT
    organization_id,
    external_subscription_id,
    code,
    scope,
    field,
    fromUnixTimestamp64Milli(intDiv(toUnixTimestamp64Milli(timestamp), 3600000) * 3600000, 'UTC') AS hour,
    toUInt64(count()) AS events,
    sum(ifNull(precise_total_amount_cents, toDecimal256(0, 20))) AS amount,
    sum(v) AS sum_v,
    max(v) AS max_v,
    sum(v * (toUnixTimestamp64Milli(timestamp) % 3600000)) AS sum_v_offset,
    argMaxState(v, bitShiftLeft(toInt128(toUnixTimestamp64Milli(timestamp)), 64)
                  + (toInt128(toUnixTimestamp64Micro(created_at)) + 9223372036854775808)) AS latest
FROM
(
    SELECT
        organization_id, external_subscription_id, code, timestamp, created_at, precise_total_amount_cents,
        scope, field, field_text,
        ifNull(toDecimal256OrNull(field_text, 20), toDecimal256(0, 20)) AS v
    FROM events
    ARRAY JOIN
        arrayPushFront(arrayMap(k -> toUInt8(1), mapKeys(property_texts)), toUInt8(0)) AS scope,
        arrayPushFront(mapKeys(property_texts), '') AS field,
        arrayPushFront(mapValues(property_texts), '') AS field_text
    WHERE scope = 0
       OR ((length(field_text) <= 22 AND match(field_text, '^-?[0-9]+([.][0-9]+)?$'))
                  OR match(field_text, '^-?0*[0-9]{1,38}([.][0-9]{1,20}0*)?$'))
)
GROUP BY organization_id, external_subscription_id, code, scope, field, hour;

-- Events stored before this migration.
INSERT INTO usage_hourly
SELECT
    organization_id,
    external_subscription_id,
    code,
    scope,
    field,
    fromUnixTimestamp64Milli(intDiv(toUnixTimestamp64Milli(timestamp), 3600000) * 3600000, 'UTC') AS hour,
    toUInt64(count()) AS events,
    sum(ifNull(precise_total_amount_cents, toDecimal256(0, 20))) AS amount,
    sum(v) AS sum_v,
    max(v) AS max_v,
    sum(v * (toUnixTimestamp64Milli(timestamp) % 3600000)) AS sum_v_offset,
    argMaxState(v, bitShiftLeft(toInt128(toUnixTimestamp64Milli(timestamp)), 64)
                  + (toInt128(toUnixTimestamp64Micro(created_at)) + 9223372036854775808)) AS latest
FROM
(
    SELECT
        organization_id, external_subscription_id, code, timestamp, created_at, precise_total_amount_cents,
        scope, field, field_text,
        ifNull(toDecimal256OrNull(field_text, 20), toDecimal256(0, 20)) AS v
    FROM events
    ARRAY JOIN
        arrayPushFront(arrayMap(k -> toUInt8(1), mapKeys(property_texts)), toUInt8(0)) AS scope,
        arrayPushFront(mapKeys(property_texts), '') AS field,
        arrayPushFront(mapValues(property_texts), '') AS field_text
    WHERE scope = 0
       OR ((length(field_text) <= 22 AND match(field_text, '^-?[0-9]+([.][0-9]+)?$'))
                  OR match(field_text, '^-?0*[0-9]{1,38}([.][0-9]{1,20}0*)?$'))
)
GROUP BY organization_id, external_subscription_id, code, scope, field, hour;
