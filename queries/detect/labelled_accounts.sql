/* one row per labelled account: its features, y (1 = fake), fake_kind; the first $limit in sample order */
-- The sample key is md5("id:seed"): the same string on every engine, so a sample taken in any
-- of them is the same accounts (model.sample_order computes it in Python).
with labelled as (
    select
        f.*,
        cast(lower(l.label) = 'fake' as integer) as y,
        l.fake_kind,
        md5(cast(f.account_id as varchar) || ':' || cast($seed as varchar)) as sample_key
    from account_features as f
    inner join labels as l on l.account_id = f.account_id
    where lower(l.label) in ('fake', 'genuine')
),

final as (
    select *
    from labelled
    order by sample_key
    limit $limit
)

select * from final
