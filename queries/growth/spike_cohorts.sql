/* one row per spike: share of its new followers created on the most common creation day */
with spike_follows as (
    select
        s.spike_id,
        cast(a.created_at as date) as created_day
    from spikes as s
    inner join follows as f
        on f.creator_id = s.creator_id
        and cast(f.followed_at as date) between s.start and s."end"
    inner join accounts as a on a.account_id = f.follower_id
),

per_day as (
    select
        sf.spike_id,
        sf.created_day,
        count(*) as accounts
    from spike_follows as sf
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
