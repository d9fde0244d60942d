/* one row per workspace: scored accounts and their mean calibrated score (the expected fake share) */
with final as (
    select
        count(s.score) as scored,
        avg(s.score) as mean_score
    from account_scores as s
)

select * from final
