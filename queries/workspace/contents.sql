/* one row per workspace: accounts, whether follows and engagement exist, labelled fake and genuine */
with account_totals as (
    select count(*) as accounts
    from accounts
),

-- existence, not counts: a limit-1 probe stays instant on a 40M-row follow log
follow_probe as (
    select count(*) > 0 as has_follows
    from (select 1 from follows limit 1) as f
),

engagement_probe as (
    select count(*) > 0 as has_engagement
    from (select 1 from engagement_daily limit 1) as e
),

label_totals as (
    select
        count(*) filter (where l.label = 'fake') as fake_labels,
        count(*) filter (where l.label = 'genuine') as genuine_labels
    from labels as l
),

final as (
    select
        a.accounts,
        fp.has_follows,
        ep.has_engagement,
        lt.fake_labels,
        lt.genuine_labels
    from account_totals as a
    cross join follow_probe as fp
    cross join engagement_probe as ep
    cross join label_totals as lt
)

select * from final
