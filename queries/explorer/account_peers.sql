/* one row per peer of one account: followers of the same spikes created in the same hour or following within 10 minutes */
with mine as (
    select
        sf.spike_id,
        sf.followed_at,
        date_trunc('hour', sf.created_at) as created_hour
    from spike_followers as sf
    where sf.account_id = $account_id
),

peers as (
    select
        sf.account_id,
        any_value(sf.username) as username,
        max(sf.score) as score,
        count(*) filter (where date_trunc('hour', sf.created_at) = m.created_hour)
            as same_hour_spikes,
        count(*) filter (where abs(datediff('second', sf.followed_at, m.followed_at)) <= 600)
            as lockstep_spikes
    from spike_followers as sf
    inner join mine as m on m.spike_id = sf.spike_id
    where sf.account_id <> $account_id
    group by sf.account_id
),

final as (
    select
        p.account_id,
        p.username,
        p.score,
        p.same_hour_spikes,
        p.lockstep_spikes
    from peers as p
    where p.same_hour_spikes > 0 or p.lockstep_spikes > 0
)

select * from final
order by lockstep_spikes + same_hour_spikes desc, score desc nulls last, account_id
limit $limit
