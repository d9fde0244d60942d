/* one row per creator whose username contains $pattern: id, username, followers gained */
with creators as (
    select
        d.creator_id,
        sum(d.new_follows) as followers_gained
    from creator_daily as d
    group by d.creator_id
),

final as (
    select
        c.creator_id as id,
        a.username,
        c.followers_gained
    from creators as c
    inner join accounts as a on a.account_id = c.creator_id
    where contains(lower(a.username), lower($pattern))
    order by c.followers_gained desc, a.username
    limit $limit
)

select * from final
