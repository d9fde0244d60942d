/* one row per account the summary workspace keeps: its `accounts` row */
with final as (
    select t.*
    from accounts as t
    inner join _summary_ids as k on k.account_id = t.account_id
)

select * from final
order by account_id
