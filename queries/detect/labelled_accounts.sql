/* one row per labelled account: its features, y (1 = fake), fake_kind; the first $limit in sample order */
-- The sample key is md5("id:seed"): the same string on every engine, so a sample taken in any
-- of them is the same accounts (model.sample_order computes it in Python).
-- The sample is picked on the narrow key rows first and only its accounts' ~40 feature columns
-- are joined: sorting the wide rows of every labelled account cost ~0.3 s more at 1M accounts.
with keyed as (
    select
        l.account_id,
        cast(lower(l.label) = 'fake' as integer) as y,
        l.fake_kind,
        md5(cast(l.account_id as varchar) || ':' || cast($seed as varchar)) as sample_key
    from labels as l
    inner join account_features as f on f.account_id = l.account_id
    where lower(l.label) in ('fake', 'genuine')
),

sampled as (
    select *
    from keyed
    order by sample_key
    limit $limit
),

final as (
    select
        f.*,
        s.y,
        s.fake_kind,
        s.sample_key
    -- the build hashes a join's right side (build.py disables DuckDB's side swap): the 250k
    -- sampled keys, not the ~40 columns of every account (1M accounts: 1.8 -> 0.45 s)
    from account_features as f
    inner join sampled as s on s.account_id = f.account_id
)

select * from final
