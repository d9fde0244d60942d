/* one row per spike of one creator: id, dates and verdict, newest first */
with final as (
    select
        s.spike_id,
        s.start,
        s."end",
        s.verdict,
        s.followers_gained
    from spikes as s
    where s.creator_id = $creator_id
)

select * from final
order by start desc
