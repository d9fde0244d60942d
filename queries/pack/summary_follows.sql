/* one row per follow made by an account the summary workspace keeps */
with final as (
    select f.*
    from follows as f
    inner join _summary_ids as k on k.account_id = f.follower_id
)

select * from final
