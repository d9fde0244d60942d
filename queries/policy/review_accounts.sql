/* one row per requested account: what a moderator needs to judge it */
with wanted as (
    select unnest($ids) as account_id
),

final as (
    select
        a.account_id,
        a.username,
        a.display_name,
        a.created_at,
        a.has_profile_pic,
        a.bio,
        a.follower_count,
        a.following_count,
        a.video_count,
        a.likes_given
    from wanted as w
    inner join accounts as a on a.account_id = w.account_id
)

select * from final
