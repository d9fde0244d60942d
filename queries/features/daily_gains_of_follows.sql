/* one row per creator per day with new follows: how many (features/daily_gains outside a build: tests, the default model's world) */
with final as (
    select f.creator_id, cast(f.followed_at as date) as follow_day, count(*) as gained
    from follows as f
    group by all
)

select * from final
