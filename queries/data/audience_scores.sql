/* one row per creator: audience quality score and its components, for export */
with final as (
    select q.*
    from creator_quality as q
)

select * from final
order by quality_score, creator_id
