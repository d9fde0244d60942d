/* one row per account with exactly this username (case-insensitive): its id */
with final as (
    select a.account_id
    from accounts as a
    where lower(a.username) = lower($username)
)

select * from final
order by account_id
limit 1
