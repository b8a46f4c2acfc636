"""CDK app for the recipes service (test data: read statically, never run)."""

import os
from pathlib import Path

import aws_cdk as cdk
from aws_cdk import Duration, Stack
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_notifications as s3n
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subs
from aws_cdk import aws_sqs as sqs
from aws_cdk import custom_resources as cr
from aws_cdk.aws_apigatewayv2_integrations import HttpLambdaIntegration
from aws_cdk.aws_lambda_python_alpha import PythonFunction
from constructs import Construct

SERVICES = "services"
RUNTIME = lambda_.Runtime.PYTHON_3_12
HERE = Path(__file__).parent
WORKERS = [("Thumbnail", "thumbnail"), ("Indexer", "indexer")]


class RecipesStack(Stack):
    def __init__(self, scope: Construct, construct_id: str, **kwargs) -> None:
        super().__init__(scope, construct_id, **kwargs)

        uploads = s3.Bucket(self, "Uploads")
        jobs = sqs.Queue(self, "Jobs")
        published = sns.Topic(self, "Published")

        api_fn = lambda_.Function(
            self,
            "RecipesApi",
            runtime=RUNTIME,
            handler="recipes.api.handler",
            code=lambda_.Code.from_asset(SERVICES + "/api"),
            timeout=Duration.seconds(15),
            snap_start=lambda_.SnapStartConf.ON_PUBLISHED_VERSIONS,
        )
        rest = apigw.RestApi(self, "RecipesRest")
        recipes = rest.root.add_resource("recipes")
        recipe = recipes.add_resource("{recipeId}")
        recipe.add_method("GET", apigw.LambdaIntegration(api_fn))
        recipes.add_method("post", apigw.LambdaIntegration(api_fn))

        search_fn = lambda_.Function(
            self,
            "Search",
            runtime=lambda_.Runtime.PYTHON_3_11,
            handler="search.handler",
            code=lambda_.Code.from_asset(os.path.join(SERVICES, "search")),
        )
        http_api = apigwv2.HttpApi(self, "SearchHttp")
        http_api.add_routes(
            path="/search",
            methods=[apigwv2.HttpMethod.GET, apigwv2.HttpMethod.POST],
            integration=HttpLambdaIntegration("SearchIntegration", search_fn),
        )
        search_fn.add_function_url(auth_type=lambda_.FunctionUrlAuthType.NONE)

        jobs_fn = lambda_.Function(
            self,
            "JobsWorker",
            runtime=RUNTIME,
            handler="jobs.process",
            code=lambda_.Code.from_asset(f"{SERVICES}/jobs"),
            timeout=Duration.minutes(2),
            events=[sources.SqsEventSource(jobs, report_batch_item_failures=True)],
        )
        jobs_fn.add_event_source(sources.SnsEventSource(published))

        for construct_id, folder in WORKERS:
            worker = lambda_.Function(
                self,
                construct_id,
                runtime=RUNTIME,
                handler=f"{folder}.handler",
                code=lambda_.Code.from_asset(str(HERE / ".." / SERVICES / folder)),
            )
            uploads.add_event_notification(
                s3.EventType.OBJECT_CREATED, s3n.LambdaDestination(worker)
            )

        digest = PythonFunction(
            self,
            "Digest",
            entry=SERVICES + "/digest",
            index="weekly/main.py",
            runtime=RUNTIME,
        )
        events.Rule(
            self,
            "WeeklyDigest",
            schedule=events.Schedule.rate(Duration.days(7)),
            targets=[targets.LambdaFunction(digest)],
        )
        on_publish = events.Rule(
            self, "OnPublish", event_pattern=events.EventPattern(source=["recipes"])
        )
        on_publish.add_target(targets.LambdaFunction(digest))
        published.add_subscription(subs.LambdaSubscription(digest))

        self.seeder = self._make_function("Seeder", "seed.on_event")
        cr.Provider(self, "SeedProvider", on_event_handler=self.seeder)

        lambda_.Function(
            self,
            "Dynamic",
            runtime=RUNTIME,
            handler=os.environ["DYNAMIC_HANDLER"],
            code=lambda_.Code.from_asset(self.node.try_get_context("asset_dir")),
        )

        lambda_.Function(
            self,
            "Inline",
            runtime=RUNTIME,
            handler="index.handler",
            code=lambda_.Code.from_inline("def handler(event, context):\n    return event\n"),
        )

        lambda_.DockerImageFunction(
            self,
            "Renderer",
            code=lambda_.DockerImageCode.from_image_asset(
                SERVICES + "/renderer", cmd=["render.app.handler"]
            ),
        )

    def _make_function(self, construct_id: str, handler: str) -> lambda_.Function:
        return lambda_.Function(
            self,
            construct_id,
            runtime=RUNTIME,
            handler=handler,
            code=lambda_.Code.from_asset(SERVICES + "/seed"),
        )


app = cdk.App()
RecipesStack(app, "RecipesStack")
app.synth()
