/* one row per account that followed during one spike */
with final as (
    select distinct sf.account_id
    from spike_followers as sf
    where sf.spike_id = $spike_id
)

select * from final
