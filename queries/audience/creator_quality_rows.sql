/* one row per creator (optionally one): the stored audience quality score and its components */
with final as (
    select q.*
    from creator_quality as q
    where $creator_id is null or q.creator_id = $creator_id
)

select * from final
order by quality_score, creator_id
