/* one row per given account id: profile fields for the flagged-accounts export */
with wanted as (
    select unnest(cast($ids as bigint[])) as account_id
),

final as (
    select
        a.account_id,
        a.username,
        a.display_name,
        a.created_at,
        a.has_profile_pic,
        a.follower_count,
        a.following_count,
        a.video_count
    from wanted as w
    inner join accounts as a on a.account_id = w.account_id
)

select * from final
order by account_id
