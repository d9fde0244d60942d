/* one row per spike: its run of anomalous days, numbered by creator then start (spike_id) */
with final as (
    select
        cast(row_number() over (order by r.creator_id, r.start) as bigint) as spike_id,
        r.*
    from _spike_runs as r
)

select * from final
order by spike_id
