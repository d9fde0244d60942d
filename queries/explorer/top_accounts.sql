/* one row per account among the highest-scored: id, username, score (for a quick start) */
with final as (
    select
        s.account_id,
        a.username,
        s.score
    from account_scores as s
    inner join accounts as a on a.account_id = s.account_id
    order by s.score desc, s.account_id
    limit $limit
)

select * from final
