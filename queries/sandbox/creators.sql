/* one row per creator, most followers first: who the sandbox can attack */
with final as (
    select
        q.creator_id,
        q.username,
        q.followers
    from creator_quality as q
)

select * from final
order by followers desc, creator_id
limit $limit
