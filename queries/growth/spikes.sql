/* one row per spike (optionally of one creator), strongest first */
with final as (
    select
        s.*,
        a.username
    from spikes as s
    left join accounts as a on a.account_id = s.creator_id
    where $creator_id is null or s.creator_id = $creator_id
)

select * from final
order by score desc, spike_id
