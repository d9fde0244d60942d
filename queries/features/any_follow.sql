/* one row per data set whose follow log has any follow (zero rows: behaviour not observed) */
with final as (
    select 1 as present
    from follows as f
    limit 1
)

select * from final
