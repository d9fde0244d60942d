/* one row per requested account: its username, to show beside its id */
with wanted as (
    select unnest($ids) as account_id
),

final as (
    select
        a.account_id,
        a.username
    from wanted as w
    inner join accounts as a on a.account_id = w.account_id
)

select * from final
