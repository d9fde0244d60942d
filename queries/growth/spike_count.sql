/* one row per build: how many spikes it found (the platform context is only computed when there are some) */
with final as (
    select count(*) as spikes
    from spikes
)

select * from final
