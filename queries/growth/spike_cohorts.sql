/* one row per spike: share of its new followers created on the most common creation day */
with per_day as (
    select
        sf.spike_id,
        cast(sf.created_at as date) as created_day,
        count(*) as accounts
    from spike_followers as sf
    group by all
),

final as (
    select
        p.spike_id,
        max(p.accounts) / sum(p.accounts) as cohort_share,
        arg_max(p.created_day, p.accounts) as cohort_day
    from per_day as p
    group by p.spike_id
)

select * from final
