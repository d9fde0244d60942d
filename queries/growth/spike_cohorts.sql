/* one row per spike: share of its new followers (and of its flagged ones) created on one day */
with per_day as (
    select
        sf.spike_id,
        cast(sf.created_at as date) as created_day,
        count(*) as accounts,
        count(*) filter (where sf.flagged) as flagged_accounts
    from spike_followers as sf
    group by all
),

final as (
    select
        p.spike_id,
        max(p.accounts) / sum(p.accounts) as cohort_share,
        arg_max(p.created_day, p.accounts) as cohort_day,
        -- a bought batch is made in one go: flagged followers sharing a creation day
        max(p.flagged_accounts) as flagged_cohort,
        max(p.flagged_accounts) / greatest(sum(p.flagged_accounts), 1) as flagged_cohort_share
    from per_day as p
    group by p.spike_id
)

select * from final
