/* one row per creator: username, for impact tables */
with final as (
    select
        q.creator_id,
        q.username
    from creator_quality as q
)

select * from final
