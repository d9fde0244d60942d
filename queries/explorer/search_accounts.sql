/* one row per account whose username contains $pattern: id, username (best matches first) */
with matches as (
    select
        a.account_id as id,
        a.username
    from accounts as a
    where contains(lower(a.username), lower($pattern))
),

final as (
    select
        m.id,
        m.username
    from matches as m
    order by length(m.username), m.username
    limit $limit
)

select * from final
