/* one row per account: id, username (demo mode pseudonymises them to look accounts up by pseudonym) */
with final as (
    select
        a.account_id as id,
        a.username
    from accounts as a
)

select * from final
order by id
