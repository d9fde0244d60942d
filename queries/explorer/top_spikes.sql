/* one row per suspicious spike, strongest first: creator, dates, excess followers, flagged share */
with final as (
    select
        s.spike_id,
        s.creator_id,
        a.username,
        s.start,
        s."end",
        s.followers_gained,
        s.excess,
        s.score,
        s.flagged_share,
        s.verdict,
        s.kind
    from spikes as s
    left join accounts as a on a.account_id = s.creator_id
    where s.verdict = 'suspicious'
)

select * from final
order by score desc, spike_id
limit $limit
