-- Metric-aware hourly aggregates (issue 12 part 3): grouped and filtered questions, and unique
-- counts, answered from aggregates (services/aggregation/src/rollup/dims.*, README "Fast usage").
--
-- usage_hourly (0005) keeps no property values, so it cannot answer a question that groups or
-- filters, nor a unique count (which needs, per value, its last operation). What a metric can be
-- asked is known from its definition: its declared `filters` keys are its natural dimensions. The
-- aggregation service writes one row per *definition generation* into `usage_rollup_definitions`;
-- one materialized view joins every inserted block of `events` with the definitions of its
-- (organization, code) and aggregates, per generation, into `usage_dims`:
--
-- rollup definition (one generation):
--   definition_id  hash(definition_key, a random nonce of this activation): what aggregate rows carry;
--   definition_key hash(organization, code, field_name, dimensions, per_value): what a question asks
--                  for; two generations of one key hold the same numbers once ready;
--   field_name     the metric's field ('' for COUNT);
--   dimensions     the metric's declared filter keys, sorted and distinct;
--   per_value      1: UNIQUE_COUNT, whose rows are also per value of the field (the text of
--                  properties[field_name], '' when missing); 0: every other type (value '');
--   since          the view aggregates the events with created_at >= since; the activation backfills
--                  those with created_at < since (rollup/dims-activation.ts has the protocol);
--   version        1 created, 2 ready, 3 removed: ReplacingMergeTree keeps the highest, and every
--                  reader groups by definition and takes max(version), never FINAL, so a row
--                  written twice can never feed (or double) an aggregate; a removed generation can
--                  never become ready again (3 > 2).
--
-- Dimension values: per dimension key, '=' + the property text when the key is present, '' when it
-- is missing. So a filter (a missing key never matches) compares with '=' + value; an exclude (a
-- missing property is '') and grouping (missing or empty → the null key) read substring(·, 2).
--
-- Every value is Decimal(76, 20) and every sum exact, as in 0005; non-numeric field values count in
-- `events`/`amount` only: their v is 0 (sums), their max is -10^50, below any storable value
-- (storable values have at most 38 integer digits), their order for LATEST is -1 (below every
-- event's order, which is >= 2^63). Readers keep a group only when n_events > 0, as the raw builders do.
--
-- usage_dims, per (generation, hour, dimension values, value): events, amount (every event),
-- n_events, n_amount, sum_v, max_v, sum_v_offset, latest (the numeric ones, as usage_hourly), and
-- active: whether the value's last operation in (timestamp, created_at) order is not `remove`
-- (argMaxMerge over any hours gives its state at the end of them, SPEC §3.5). One table and one view
-- for both kinds: most of a view's cost at ingestion is per insert, not per row (README).
-- Engine: AggregatingMergeTree like usage_hourly (readers always aggregate). ORDER BY puts the
-- generation before the hour (a question reads one generation's range of hours), then the
-- dimension values and the value. fsync like `events`.
-- Assumes each transaction_id is stored once (README "Exactly once"), as 0005 does.
CREATE TABLE IF NOT EXISTS usage_rollup_definitions
(
    organization_id LowCardinality(String),
    code LowCardinality(String),
    definition_id UInt64,
    definition_key UInt64,
    field_name String,
    dimensions Array(String),
    per_value UInt8,
    since DateTime64(6, 'UTC'),
    version UInt8,
    changed_at DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree(version)
ORDER BY (organization_id, code, definition_id)
SETTINGS fsync_after_insert = 1, fsync_part_directory = 1;

CREATE TABLE IF NOT EXISTS usage_dims
(
    organization_id LowCardinality(String),
    external_subscription_id String,
    code LowCardinality(String),
    definition_id UInt64,
    hour DateTime64(3, 'UTC'),
    dim_values Array(String),
    value String,
    events SimpleAggregateFunction(sum, UInt64),
    amount SimpleAggregateFunction(sum, Decimal(76, 20)),
    n_events SimpleAggregateFunction(sum, UInt64),
    n_amount SimpleAggregateFunction(sum, Decimal(76, 20)),
    sum_v SimpleAggregateFunction(sum, Decimal(76, 20)),
    max_v SimpleAggregateFunction(max, Decimal(76, 20)),
    sum_v_offset SimpleAggregateFunction(sum, Decimal(76, 20)),
    latest AggregateFunction(argMax, Decimal(76, 20), Int128),
    active AggregateFunction(argMax, UInt8, Int128)
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(hour)
ORDER BY (organization_id, external_subscription_id, code, definition_id, hour, dim_values, value)
SETTINGS fsync_after_insert = 1, fsync_part_directory = 1;

-- The definitions an insert feeds: one row per generation (grouped by its id, so a definition row
-- written twice counts once; the attributes of its first version), not removed. The right side of
-- the JOIN is read at every insert; the table holds a few rows per metric code.
CREATE MATERIALIZED VIEW IF NOT EXISTS usage_dims_writer TO usage_dims AS
SELECT
    organization_id,
    external_subscription_id,
    code,
    definition_id,
    fromUnixTimestamp64Milli(intDiv(toUnixTimestamp64Milli(timestamp), 3600000) * 3600000, 'UTC') AS hour,
    dim_values,
    value,
    toUInt64(count()) AS events,
    sum(ifNull(precise_total_amount_cents, toDecimal256(0, 20))) AS amount,
    toUInt64(countIf(numeric)) AS n_events,
    sum(if(numeric, ifNull(precise_total_amount_cents, toDecimal256(0, 20)), toDecimal256(0, 20))) AS n_amount,
    sum(v) AS sum_v,
    max(if(numeric, v, toDecimal256('-100000000000000000000000000000000000000000000000000', 20))) AS max_v,
    sum(v * (toUnixTimestamp64Milli(timestamp) % 3600000)) AS sum_v_offset,
    argMaxState(v, if(numeric, event_order, toInt128(-1))) AS latest,
    argMaxState(toUInt8(operation_type != 'remove'), event_order) AS active
FROM
(
    SELECT
        e.organization_id AS organization_id, e.external_subscription_id AS external_subscription_id,
        e.code AS code, e.timestamp AS timestamp, e.created_at AS created_at,
        e.precise_total_amount_cents AS precise_total_amount_cents, d.definition_id AS definition_id,
        arrayMap(k -> if(mapContains(e.property_texts, k), concat('=', e.property_texts[k]), ''), d.def_dimensions) AS dim_values,
        e.property_texts[d.def_field] AS field_text,
        if(d.def_per_value = 1, field_text, '') AS value,
        e.property_texts['operation_type'] AS operation_type,
        d.def_field != '' AND ((length(field_text) <= 22 AND match(field_text, '^-?[0-9]+([.][0-9]+)?$'))
                  OR match(field_text, '^-?0*[0-9]{1,38}([.][0-9]{1,20}0*)?$')) AS numeric,
        if(numeric, ifNull(toDecimal256OrNull(field_text, 20), toDecimal256(0, 20)), toDecimal256(0, 20)) AS v,
        bitShiftLeft(toInt128(toUnixTimestamp64Milli(e.timestamp)), 64)
                  + (toInt128(toUnixTimestamp64Micro(e.created_at)) + 9223372036854775808) AS event_order
    FROM events AS e
    INNER JOIN
    (
        SELECT organization_id, code, definition_id, argMin(field_name, version) AS def_field,
               argMin(dimensions, version) AS def_dimensions, argMin(per_value, version) AS def_per_value,
               argMin(since, version) AS def_since
        FROM usage_rollup_definitions
        GROUP BY organization_id, code, definition_id
        HAVING max(version) < 3
    ) AS d ON e.organization_id = d.organization_id AND e.code = d.code
    WHERE e.created_at >= d.def_since
)
GROUP BY organization_id, external_subscription_id, code, definition_id, hour, dim_values, value;
