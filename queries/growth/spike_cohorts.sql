/* one row per spike: share of its new followers (and of its flagged ones) created on one day */
with per_day as (
    select
        sf.spike_id,
        cast(sf.created_at as date) as created_day,
        count(*) as accounts,
        count(*) filter (where sf.model_flagged) as flagged_accounts
    from spike_followers as sf
    group by all
),

ranked as (
    select
        p.*,
        max(p.accounts) over (partition by p.spike_id) as top_accounts
    from per_day as p
),

final as (
    select
        r.spike_id,
        max(r.accounts) / sum(r.accounts) as cohort_share,
        -- ties go to the earliest day, so every engine names the same one
        min(case when r.accounts = r.top_accounts then r.created_day end) as cohort_day,
        -- a bought batch is made in one go: flagged followers sharing a creation day
        max(r.flagged_accounts) as flagged_cohort,
        max(r.flagged_accounts) / greatest(sum(r.flagged_accounts), 1) as flagged_cohort_share
    from ranked as r
    group by r.spike_id
)

select * from final
