/* one row per spike of one creator that overlaps a time window: did detection see the attack? */
with final as (
    select
        s.spike_id,
        s.start,
        s."end",
        s.followers_gained,
        s.expected_followers,
        s.excess,
        s.score,
        s.verdict,
        s.kind,
        s.flagged_share,
        s.reason
    from spikes as s
    where s.creator_id = $creator_id
        and s."end" >= cast($window_start as date)
        and s.start <= cast($window_end as date)
)

select * from final
order by start
