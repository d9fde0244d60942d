/* one row per current follower of one creator: the follower's account id */
with final as (
    select distinct f.follower_id as account_id
    from follows as f
    where f.creator_id = $creator_id
        and f.unfollowed_at is null
)

select * from final
